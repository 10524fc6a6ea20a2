"""代表评 and the deputy's follow-up: ratings of answers (重办 on 不满意), 催办, and the
复发 回访 after 办结."""
