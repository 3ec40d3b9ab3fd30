-- A practice's page reads the states of that one practice.
create index states_practice on states (practice_id);
