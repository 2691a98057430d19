import type { Sql } from '../db/connect.ts';
import type { Reader } from '../rooms/registry.ts';

/** Who has the room open now, on any replica (sql/060_presence.sql), by name. */
export async function peopleHere(sql: Sql, roomId: number): Promise<string[]> {
  const [row] = await sql<{ people: string[] }[]>`SELECT people FROM presence_of(ARRAY[${roomId}]::int[])`;
  return row?.people ?? [];
}

/** The list a room page shows: the people here, and the reader, whose live page opens a stream. */
export async function hereForPage(sql: Sql, roomId: number, reader: Reader | null): Promise<string[]> {
  const people = await peopleHere(sql, roomId);
  return reader && !people.includes(reader.name) ? [...people, reader.name].sort() : people;
}
