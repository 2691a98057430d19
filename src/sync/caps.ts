import type { Reader } from '../rooms/registry.ts';

/**
 * Open streams per person and per client address on this replica. They guard this replica's
 * sockets and memory, so they are counted here, not in the database.
 */
export class StreamCaps {
  private perUser = new Map<string, number>();
  private perAddress = new Map<string, number>();

  constructor(private limits: { perUser: number | null; perAddress: number | null }) {}

  /** Whether one more stream fits, or which cap it would break. */
  admit(reader: Reader | null, address: string): 'ok' | 'user' | 'address' {
    const { perUser, perAddress } = this.limits;
    if (reader && perUser !== null && (this.perUser.get(reader.id) ?? 0) >= perUser) return 'user';
    if (perAddress !== null && (this.perAddress.get(address) ?? 0) >= perAddress) return 'address';
    return 'ok';
  }

  opened(reader: Reader | null, address: string): void {
    if (reader) this.perUser.set(reader.id, (this.perUser.get(reader.id) ?? 0) + 1);
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
  }

  closed(reader: Reader | null, address: string): void {
    if (reader) drop(this.perUser, reader.id);
    drop(this.perAddress, address);
  }
}

function drop(map: Map<string, number>, key: string): void {
  const n = (map.get(key) ?? 1) - 1;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}
