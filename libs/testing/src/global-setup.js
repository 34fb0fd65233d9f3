// Jest globalSetup for integration tests: refuse to run without the real servers, and say which.
module.exports = async function globalSetup() {
  const required = ['KAFKA_BROKERS', 'AMQP_URL', 'POSTGRES_URL', 'MONGODB_URI'];
  const missing = required.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(
      `Integration tests need the real servers (missing ${missing.join(', ')}). ` +
        'Run `npm test`, or `bash deploy/local/infra.sh up && eval "$(bash deploy/local/infra.sh env)"`.',
    );
  }
  if (process.env.TESSERA_INFRA_VERSIONS) {
    process.stdout.write(`\nIntegration servers: ${process.env.TESSERA_INFRA_VERSIONS}\n`);
  }
};
