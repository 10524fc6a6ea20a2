"""The deputy's say on an answer: the rating buttons and the reason for 不满意, and
the 复发 回访."""
