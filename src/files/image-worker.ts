// The image process (src/files/image-process.ts starts it, lazily, at the lowest CPU priority): it
// makes thumbnails one at a time, so libvips' decoding never shares the replica's thread pool with
// scrypt, and the kernel gives sign-ins the cores first. Nothing here runs unless this file is the
// entry of a forked process.
import { setPriority } from 'node:os';
import { makeThumbnail } from './thumbnail.ts';

interface Job { id: number; image: Uint8Array }

if (process.send) {
  try {
    setPriority(19);
  } catch {
    // Not allowed here: the parent tried too.
  }
  process.on('message', (job: Job) => {
    void makeThumbnail(Buffer.from(job.image.buffer, job.image.byteOffset, job.image.byteLength)).then((thumb) => {
      process.send!({ id: job.id, thumb });
    });
  });
  // The replica went away (or closed the channel): so does this process.
  process.on('disconnect', () => process.exit(0));
}
