-- Files attached to messages live in PostgreSQL, the one thing every replica shares: one source
-- of truth and one backup (Documentation/files.md). An attachment belongs to a room from its
-- upload on; message_id stays NULL until a message of its uploader links it.
CREATE TABLE attachments (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  room_id     integer NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  uploader_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  message_id  bigint REFERENCES messages (id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
  size        bigint NOT NULL DEFAULT 0 CHECK (size >= 0),
  -- Detected from the content (file-type), never taken from the name or the client.
  type        text NOT NULL DEFAULT 'application/octet-stream',
  -- NULL while the upload is still arriving: only complete files can be linked or served.
  sha256      bytea,
  thumbnail   bytea,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_message ON attachments (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX attachments_unlinked ON attachments (created_at) WHERE message_id IS NULL;

-- The content in rows of 256 KiB: each is written by its own short statement as the upload
-- arrives (no transaction stays open while a client sends), and read back one at a time.
CREATE TABLE attachment_chunks (
  attachment_id bigint NOT NULL REFERENCES attachments (id) ON DELETE CASCADE,
  seq           integer NOT NULL CHECK (seq >= 0),
  data          bytea NOT NULL,
  PRIMARY KEY (attachment_id, seq)
);
-- Images and archives are compressed already: TOAST stores them without trying pglz first.
ALTER TABLE attachment_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- A message whose text is deleted (a tombstone: body set to NULL) takes its files with it, so
-- that nothing of a deleted message stays readable. A deleted row cascades by the foreign key.
CREATE FUNCTION drop_deleted_attachments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM attachments WHERE message_id = NEW.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER messages_attachments_dropped AFTER UPDATE OF body ON messages
  FOR EACH ROW WHEN (NEW.body IS NULL) EXECUTE FUNCTION drop_deleted_attachments();
