-- events_at served only EventFilter.Since, which nothing but the tests
-- uses, and cost every report an index insert.
drop index events_at;
