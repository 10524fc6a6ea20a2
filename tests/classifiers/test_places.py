from __future__ import annotations

import pytest

from classifiers import Directory
from classifiers.places import PlaceFinder


@pytest.mark.parametrize(
    ("text", "district", "town"),
    [
        ("双清区龙须塘街道一小区门口污水外溢", "双清区", "龙须塘街道"),
        ("邵东市廉桥镇药材市场附近道路坑洼", "邵东市", "廉桥镇"),
        ("我是隆回县桃洪镇居民，反映自来水浑浊", "隆回县", "桃洪镇"),
        ("武冈城区的公交车太少", "武冈市", None),
        ("城步县的旅游公路修了一半停工了", "城步苗族自治县", None),
        ("邵阳县塘渡口镇菜市场乱收费", "邵阳县", "塘渡口镇"),
        ("我们小区下水道洞口没有盖子", None, None),
        ("邵阳市区的出租车拒载", None, None),
    ],
)
def test_district_and_town_from_text(
    directory: Directory, text: str, district: str | None, town: str | None
) -> None:
    assert PlaceFinder(directory).find(text) == (district, town)


def test_location_fills_district_when_text_has_none(directory: Directory) -> None:
    finder = PlaceFinder(directory)
    assert finder.find("路灯不亮", (26.73, 110.63)) == ("武冈市", None)  # 武冈 city seat
    assert finder.find("路灯不亮", (39.9, 116.4)) == (None, None)  # Beijing: outside the city
    assert finder.find("大祥区城南街道路灯不亮", (26.73, 110.63)) == ("大祥区", "城南街道")
