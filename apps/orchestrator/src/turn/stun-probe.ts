import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const MAGIC_COOKIE = 0x2112a442;

/** Whether a STUN server answers a Binding request (RFC 5389) on host:port over UDP within timeoutMs. */
export function stunAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const transaction = randomBytes(12);
  const request = Buffer.alloc(20);
  request.writeUInt16BE(BINDING_REQUEST, 0);
  request.writeUInt32BE(MAGIC_COOKIE, 4);
  transaction.copy(request, 8);
  const socket = createSocket('udp4');
  return new Promise<boolean>((resolve) => {
    const done = (answered: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(answered);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('error', () => done(false));
    socket.on('message', (reply) => {
      if (reply.length >= 20 && reply.readUInt16BE(0) === BINDING_SUCCESS && reply.subarray(8, 20).equals(transaction)) done(true);
    });
    socket.send(request, port, host);
  });
}
