import type { INestApplication } from '@nestjs/common';

/** Starts serving and answers the port bound (the kernel's pick for port 0), for the start-up log line. */
export async function listen(app: INestApplication, host: string, port: number): Promise<number> {
  await app.listen(port, host);
  const bound = app.getHttpServer().address() as { port?: number } | string | null;
  return typeof bound === 'object' && bound?.port ? bound.port : port;
}
