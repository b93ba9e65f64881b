import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, loadConfig } from './config.js';

describe('TRAIL_SIGNING_KEY and TRAIL_VERIFY_KEY', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const base64 = privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
  const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: '/tmp/unused', ...env });
  const refusal = (env: Record<string, string>) => {
    try {
      load(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('accepted');
  };
  const spki = (key: { export(o: { type: 'spki'; format: 'der' }): Buffer }) => key.export({ type: 'spki', format: 'der' }).toString('hex');

  it('takes a PEM, a PEM written on one line with \\n, or base64 PKCS #8; the verify key defaults to its public half', () => {
    for (const value of [pem, pem.replace(/\n/g, '\\n'), base64]) {
      const config = load({ TRAIL_SIGNING_KEY: value });
      expect(config.trailSigningKey?.asymmetricKeyType).toBe('ed25519');
      expect(spki(config.trailVerifyKey!)).toBe(spki(publicKey));
    }
    expect(load({}).trailSigningKey).toBeUndefined();
    const other = generateKeyPairSync('ed25519').publicKey;
    const config = load({ TRAIL_SIGNING_KEY: pem, TRAIL_VERIFY_KEY: other.export({ type: 'spki', format: 'der' }).toString('base64') });
    expect(spki(config.trailVerifyKey!)).toBe(spki(other));
  });

  it('names the variable when the key is not an Ed25519 key', () => {
    expect(refusal({ TRAIL_SIGNING_KEY: 'not a key' })).toMatch(/^configuration: TRAIL_SIGNING_KEY must be an Ed25519 private key, PEM or base64 PKCS #8 DER/);
    expect(refusal({ TRAIL_SIGNING_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString() })).toMatch(/^configuration: TRAIL_SIGNING_KEY must be an Ed25519 private key/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(refusal({ TRAIL_SIGNING_KEY: rsa })).toBe('configuration: TRAIL_SIGNING_KEY must be an Ed25519 key (got rsa key)');
    expect(refusal({ TRAIL_VERIFY_KEY: 'AAAA' })).toMatch(/^configuration: TRAIL_VERIFY_KEY must be an Ed25519 public key, PEM or base64 SPKI DER/);
  });
});
