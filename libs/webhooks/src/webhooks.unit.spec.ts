import { loadConfig } from '@app/config';
import { backoffMs, wants } from './dispatcher.js';
import { signature, verifySignature } from './signature.js';
import { checkTarget, isPrivateAddress, TargetRefused } from './target.js';

describe('webhook targets', () => {
  it.each(['127.0.0.1', '10.0.0.8', '172.16.5.4', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd12::1', 'fe80::1', '::ffff:127.0.0.1', '::127.0.0.1', '::7f00:1', '::a9fe:a9fe', '100::1', '2001:db8::1'])('%s is not public', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });
  it.each(['8.8.8.8', '114.114.114.114', '2400:3200::1', '172.32.0.1'])('%s is public', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it('refuses other schemes, credentials, and names that resolve inside when private targets are not allowed', async () => {
    const dns = (answers: Record<string, string[]>) => async (host: string) => answers[host] ?? Promise.reject(new Error('ENOTFOUND'));
    const resolve = dns({ 'hooks.example.org': ['93.184.216.34'], 'rebound.example.org': ['93.184.216.34', '10.0.0.5'] });
    await expect(checkTarget('https://hooks.example.org/in', false, resolve)).resolves.toBeInstanceOf(URL);
    await expect(checkTarget('https://rebound.example.org/in', false, resolve)).rejects.toThrow(/10\.0\.0\.5, a private/);
    await expect(checkTarget('https://nowhere.example.org/in', false, resolve)).rejects.toThrow(/does not resolve/);
    await expect(checkTarget('ftp://hooks.example.org/in', false, resolve)).rejects.toThrow(TargetRefused);
    await expect(checkTarget('https://user:pw@hooks.example.org/in', false, resolve)).rejects.toThrow(/user name or password/);
    await expect(checkTarget('http://127.0.0.1:3000/in', true, resolve)).resolves.toBeInstanceOf(URL);
  });

  it('allows private targets outside production only, unless configured', () => {
    const secret = { AUTH_SECRET: 'a-secret-of-at-least-thirty-two-characters' };
    expect(loadConfig({ ...secret }).webhooks.allowPrivateTargets).toBe(true);
    expect(loadConfig({ ...secret, NODE_ENV: 'production' }).webhooks.allowPrivateTargets).toBe(false);
    expect(loadConfig({ ...secret, NODE_ENV: 'production', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }).webhooks.allowPrivateTargets).toBe(true);
  });
});

describe('deliveries', () => {
  it('back off exponentially from the base, with jitter between half and all, up to the cap', () => {
    const settings = { retryBaseMs: 1_000, retryMaxMs: 60_000 };
    expect([1, 2, 3, 4].map((n) => backoffMs(n, settings, () => 0))).toEqual([500, 1_000, 2_000, 4_000]);
    expect([1, 2, 3, 4].map((n) => backoffMs(n, settings, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffMs(20, settings, () => 1)).toBe(60_000);
  });

  it('go to the subscriptions that want the event: its type, a prefix of it, or everything', () => {
    expect(wants({ types: [], prefixes: [] }, 'session.opened.v1')).toBe(true);
    expect(wants({ types: ['proposal.answered.v1'], prefixes: [] }, 'proposal.answered.v1')).toBe(true);
    expect(wants({ types: ['proposal.answered.v1'], prefixes: ['reminder.'] }, 'reminder.issued.v1')).toBe(true);
    expect(wants({ types: ['proposal.answered.v1'], prefixes: ['reminder.'] }, 'proposal.filed.v2')).toBe(false);
  });

  it('are signed over the timestamp and the body', () => {
    const header = signature('s3cret-s3cret-s3cret', 1_700_000_000, '{"id":"e-1"}');
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature('s3cret-s3cret-s3cret', header, '{"id":"e-1"}', 1_700_000_100)).toBe(true);
    expect(verifySignature('s3cret-s3cret-s3cret', header, '{"id":"e-2"}', 1_700_000_100)).toBe(false);
    expect(verifySignature('s3cret-s3cret-s3cret', header.replace('t=1700000000', 't=1700000001'), '{"id":"e-1"}', 1_700_000_100)).toBe(false);
  });
});
