-- teams.last_report_at was written by every report and read by nothing.
alter table teams drop column last_report_at;
