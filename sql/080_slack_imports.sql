-- What a Slack import brought in, so that running it again adds nothing twice: a Slack message is
-- known by its channel and its ts (Slack's id of a message within a channel), a person by Slack's
-- user id. Written by `npm run import:slack` as the owner; the app only reads them.
CREATE TABLE slack_messages (
  channel    text NOT NULL,
  ts         text NOT NULL,
  message_id bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  PRIMARY KEY (channel, ts)
);

CREATE TABLE slack_users (
  slack_id text PRIMARY KEY,
  user_id  bigint NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE slack_channels (
  slack_id text PRIMARY KEY,
  room_id  integer NOT NULL REFERENCES rooms (id) ON DELETE CASCADE
);
