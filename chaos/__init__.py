"""The chaos suite (`make chaos`): the bot's delivery path as real processes on PostgreSQL —
two outbox workers, the reference intake, the bot's web app — with ≥ 1,000 reports queued
while the intake goes down, workers are killed with -9, and callbacks arrive in storms. Each
scenario must end with nothing lost, nothing duplicated, nothing dead-lettered, and every
deputy told once that a delayed report is safe and once that it arrived."""
