// The framework's own limit: bare Fastify, one route answering {"status":"ok"}, no plugins.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/health', () => ({ status: 'ok' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
// A clean exit on SIGTERM (the bench stops it so; a --cpu-prof run writes its profile then).
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
