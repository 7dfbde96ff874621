// Baseline: a minimal Fastify server answering GET /v1/status with the daemon's status object.
// Like the daemon it checks a bearer token and serializes the object on every request.
import Fastify from 'fastify';

const expected = `Bearer ${process.env.BENCH_TOKEN}`;
const status: unknown = JSON.parse(process.env.BENCH_STATUS_JSON ?? '{}');

const app = Fastify({ logger: false });
app.get('/v1/status', async (req, reply) => {
  if (req.headers.authorization !== expected) return reply.code(401).send({ error: 'unauthorized' });
  return status;
});

await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;
process.stdout.write(`fastify listening on http://127.0.0.1:${port}\n`);
