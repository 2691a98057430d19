/**
 * What an archive holds, table by table, in the order it is written and read back: a table comes
 * after every table it refers to. Each row travels as one line of JSON made by PostgreSQL itself
 * (row_to_json), so times keep their microseconds and ids their full 64 bits.
 *
 * Not moved, on purpose: sessions, password resets, instance keys (signing keys, the join code),
 * rate counters, spent challenges and presence (secrets or short-lived state the new instance
 * makes afresh), the change log (the rows carry their current state; read positions are carried as
 * the last message read), and uploads never linked to a message.
 */
export interface Column {
  name: string;
  /** The type in the archive's JSON (jsonb_to_recordset). */
  type: string;
  /** SQL that reads the column for export, when it is not the column itself. */
  out?: string;
  /** SQL that turns the JSON value x.<name> back into the column, when a cast is not enough. */
  in?: string;
}

export interface Table {
  name: string;
  columns: Column[];
  /** FROM ... WHERE ... ORDER BY ... of the export query (the table aliased t). */
  from: string;
  /** Where the imported rows go, when not straight into the table (read positions). */
  insert?: string;
}

const col = (name: string, type: string, extra: Partial<Column> = {}): Column => ({ name, type, ...extra });

export const TABLES: Table[] = [
  {
    name: 'users',
    columns: [col('id', 'bigint'), col('name', 'text'), col('password_hash', 'text'), col('created_at', 'timestamptz'),
      col('role', 'text'), col('deactivated_at', 'timestamptz'),
      // A bot stays a bot (sql/090_bots.sql); its token and secret do not move: an admin resets them.
      col('kind', 'text')],
    from: 'users t ORDER BY t.id',
  },
  {
    // A bio and an avatar move with their person (the picture as served: WebP or PNG, small).
    name: 'profiles',
    columns: [col('user_id', 'bigint'), col('bio', 'text'),
      col('avatar', 'text', { out: `encode(t.avatar, 'base64')`, in: `decode(x.avatar, 'base64')` }),
      col('avatar_type', 'text'), col('avatar_version', 'bigint'), col('updated_at', 'timestamptz')],
    from: 'profiles t ORDER BY t.user_id',
  },
  {
    name: 'rooms',
    columns: [col('id', 'integer'), col('slug', 'text'), col('title', 'text'), col('topic', 'text'), col('position', 'integer'),
      col('created_at', 'timestamptz'), col('kind', 'text'), col('public', 'boolean'), col('archived_at', 'timestamptz'),
      col('created_by', 'bigint'), col('direct_key', 'text')],
    from: 'rooms t WHERE t.deleted_at IS NULL ORDER BY t.id',
  },
  {
    name: 'room_members',
    columns: [col('room_id', 'integer'), col('user_id', 'bigint'), col('added_at', 'timestamptz')],
    from: 'room_members t WHERE t.room_id IN (SELECT id FROM rooms WHERE deleted_at IS NULL) ORDER BY t.room_id, t.user_id',
  },
  {
    name: 'room_audit',
    columns: [col('id', 'bigint'), col('room_id', 'integer'), col('actor_id', 'bigint'), col('change', 'text'), col('at', 'timestamptz')],
    from: 'room_audit t WHERE t.room_id IN (SELECT id FROM rooms WHERE deleted_at IS NULL) ORDER BY t.id',
  },
  {
    name: 'room_settings',
    columns: [col('user_id', 'bigint'), col('room_id', 'integer'), col('level', 'text')],
    from: 'room_settings t ORDER BY t.user_id, t.room_id',
  },
  {
    // In stream order (tx, id): the import keeps that order (see import.ts). A deleted message is
    // a tombstone: its body is NULL in the database already, so no text of it reaches the archive.
    name: 'messages',
    columns: [col('id', 'bigint'), col('room_id', 'integer'), col('author_id', 'bigint'), col('body', 'text'),
      col('created_at', 'timestamptz'), col('edited_at', 'timestamptz'), col('deleted_at', 'timestamptz')],
    from: 'messages t ORDER BY t.tx, t.id',
  },
  {
    name: 'reactions',
    columns: [col('message_id', 'bigint'), col('user_id', 'bigint'), col('emoji', 'text'), col('created_at', 'timestamptz')],
    from: 'reactions t ORDER BY t.message_id, t.created_at, t.user_id',
  },
  {
    name: 'mentions',
    columns: [col('message_id', 'bigint'), col('user_id', 'bigint'), col('room_id', 'integer')],
    from: 'mentions t ORDER BY t.message_id, t.user_id',
  },
  {
    // A read position is a stream position of the old instance; it travels as the newest message
    // at or before it in its room, and lands on that message's new position.
    name: 'read_positions',
    columns: [col('user_id', 'bigint'), col('room_id', 'integer'),
      col('message_id', 'bigint', { out: `(SELECT m.id FROM messages m WHERE m.room_id = t.room_id AND (m.tx, m.id) <= (t.tx, t.id) ORDER BY m.tx DESC, m.id DESC LIMIT 1)` })],
    from: 'read_positions t ORDER BY t.user_id, t.room_id',
    insert: `INSERT INTO read_positions (user_id, room_id, tx, id)
             SELECT x.user_id, x.room_id, m.tx, m.id FROM %ROWS% JOIN messages m ON m.id = x.message_id`,
  },
  {
    name: 'slack_users',
    columns: [col('slack_id', 'text'), col('user_id', 'bigint')],
    from: 'slack_users t ORDER BY t.slack_id',
  },
  {
    name: 'slack_channels',
    columns: [col('slack_id', 'text'), col('room_id', 'integer')],
    from: 'slack_channels t WHERE t.room_id IN (SELECT id FROM rooms WHERE deleted_at IS NULL) ORDER BY t.slack_id',
  },
  {
    name: 'slack_messages',
    columns: [col('channel', 'text'), col('ts', 'text'), col('message_id', 'bigint')],
    from: 'slack_messages t ORDER BY t.channel, t.ts',
  },
  {
    // Only complete files of messages; their bytes follow as files/<id>.
    name: 'attachments',
    columns: [col('id', 'bigint'), col('room_id', 'integer'), col('uploader_id', 'bigint'), col('message_id', 'bigint'),
      col('name', 'text'), col('size', 'bigint'), col('type', 'text'),
      col('sha256', 'text', { out: `encode(t.sha256, 'hex')`, in: `decode(x.sha256, 'hex')` }),
      col('thumbnail', 'text', { out: `encode(t.thumbnail, 'base64')`, in: `decode(x.thumbnail, 'base64')` }),
      col('created_at', 'timestamptz')],
    from: 'attachments t WHERE t.message_id IS NOT NULL AND t.sha256 IS NOT NULL ORDER BY t.id',
  },
];

/** Tables that stay behind, each for a reason given above; a new table must join one list. */
export const NOT_MOVED = ['sessions', 'password_resets', 'instance_keys', 'rate_counters', 'spent_challenges',
  'presence', 'presence_replicas', 'changes', 'attachment_chunks', 'schema_migrations',
  // Push subscriptions belong to sessions, which stay behind; the outbox starts after the import.
  'push_subscriptions', 'outbox_cursors',
  // A bot's token and webhook secret stay behind (an admin resets them); its deliveries are a log.
  'bots', 'webhook_deliveries',
  // A sign-in link for another device belongs to a session, which stays behind.
  'transfer_links'];

export function exportQuery(t: Table): string {
  const cols = t.columns.map((c) => `${c.out ?? `t.${c.name}`} AS ${c.name}`).join(', ');
  return `SELECT row_to_json(r)::text AS line FROM (SELECT ${cols} FROM ${t.from}) r`;
}

/** The INSERT that takes one chunk of rows, given as a JSON array in $1. */
export function importQuery(t: Table): string {
  const rows = `jsonb_to_recordset($1::text::jsonb) AS x(${t.columns.map((c) => `${c.name} ${c.type}`).join(', ')})`;
  if (t.insert) return t.insert.replace('%ROWS%', rows);
  const names = t.columns.map((c) => c.name).join(', ');
  const values = t.columns.map((c) => c.in ?? `x.${c.name}`).join(', ');
  return `INSERT INTO ${t.name} (${names}) OVERRIDING SYSTEM VALUE SELECT ${values} FROM ${rows}`;
}
