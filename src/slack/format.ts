// Slack's workspace export, as its documentation describes it: users.json, channels.json (public),
// groups.json (private, when the export has them), and a folder per channel of YYYY-MM-DD.json
// files, each an array of messages.
export interface SlackUser {
  id: string;
  name: string;
  deleted?: boolean;
  is_bot?: boolean;
  is_admin?: boolean;
  is_owner?: boolean;
  is_primary_owner?: boolean;
  real_name?: string;
  profile?: { display_name?: string; real_name?: string };
}

export interface SlackChannel {
  id: string;
  name: string;
  created?: number;
  is_archived?: boolean;
  members?: string[];
  topic?: { value?: string };
  purpose?: { value?: string };
}

export interface SlackMessage {
  type?: string;
  subtype?: string;
  ts: string;
  thread_ts?: string;
  user?: string;
  username?: string;
  bot_id?: string;
  text?: string;
  edited?: { user?: string; ts: string };
  reactions?: { name: string; users: string[]; count?: number }[];
  files?: { name?: string; title?: string; url_private?: string; permalink?: string }[];
  /** Integrations' rich blocks: their plain-text fallback stands in for them. */
  attachments?: { fallback?: string; text?: string }[];
}

/** Subtypes that are not someone speaking (joins, topic changes...): left out. */
export const SKIPPED_SUBTYPES = new Set([
  'channel_join', 'channel_leave', 'channel_topic', 'channel_purpose', 'channel_name', 'channel_archive',
  'channel_unarchive', 'group_join', 'group_leave', 'group_topic', 'group_purpose', 'group_name',
  'group_archive', 'group_unarchive', 'pinned_item', 'unpinned_item', 'tombstone', 'message_deleted',
]);
