-- Times are TEXT in UTC, fixed width 'YYYY-MM-DDTHH:MM:SS.ffffffZ', so that
-- comparing the strings compares the times. Days are TEXT 'YYYY-MM-DD'.

create table teams (
	id             integer primary key,
	name           text    not null,
	token_hash     blob    not null,
	created_at     text    not null,
	last_report_at text,
	removed_at     text
) strict;

-- A name is unique among the teams that are not removed, so a removed team's
-- name can be used again while its events keep pointing at the old row.
create unique index teams_name on teams (name) where removed_at is null;
create index teams_token_hash on teams (token_hash);

create table events (
	id              integer primary key,
	team_id         integer not null references teams (id),
	practice_id     text    not null,
	status          text    not null
		check (status in ('not-started', 'trying', 'adopted', 'dropped')),
	note            text    not null default '',
	reconfirm       integer not null default 0,
	idempotency_key text    unique,
	at              text    not null
) strict;

create index events_team_practice on events (team_id, practice_id, id);
create index events_at on events (at);

create table states (
	team_id      integer not null references teams (id),
	practice_id  text    not null,
	status       text    not null
		check (status in ('not-started', 'trying', 'adopted', 'dropped')),
	note         text    not null default '',
	since        text    not null,
	confirmed_at text    not null,
	event_id     integer not null references events (id),
	primary key (team_id, practice_id)
) strict;

-- Change in the number of (team, practice) pairs in each status per UTC day;
-- History sums them in day order. Counts are split over shards (team id
-- modulo 16) so that different teams do not wait on one row.
create table daily_status_counts (
	day    text    not null,
	status text    not null,
	shard  integer not null,
	delta  integer not null,
	primary key (day, status, shard)
) strict;

create table settings (
	key   text primary key,
	value blob not null
) strict;
