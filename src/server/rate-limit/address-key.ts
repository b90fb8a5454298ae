/**
 * The key of a client address for rate limits and quotas: IPv4 as is (IPv4-mapped IPv6 too), IPv6
 * by its /64 (SERVER_DEFAULTS.ipv6PrefixBits): one subscriber usually holds a whole /64, so keying
 * by full address would hand each of them unlimited buckets.
 */
import { isIP } from 'node:net';

/** The 8 groups of an IPv6 address as numbers; null when it does not parse. */
function ipv6Groups(address: string): number[] | null {
  let a = address.split('%')[0]!.toLowerCase();
  // A trailing dotted IPv4 (::ffff:1.2.3.4) becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (dotted) {
    const p = dotted[1]!.split('.').map(Number);
    a = `${a.slice(0, -dotted[1]!.length)}${((p[0]! << 8) | p[1]!).toString(16)}:${((p[2]! << 8) | p[3]!).toString(16)}`;
  }
  const halves = a.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (fill < 0 || (halves.length === 1 && head.length !== 8)) return null;
  const groups = [...head, ...Array<string>(fill).fill('0'), ...tail].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

export function addressKey(ip: string, ipv6PrefixBits = 64): string {
  if (isIP(ip) !== 6) return ip;
  const g = ipv6Groups(ip);
  if (!g) return ip;
  // IPv4-mapped (::ffff:a.b.c.d): the IPv4 address.
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  const keep = Math.max(0, Math.min(128, ipv6PrefixBits));
  const out: string[] = [];
  for (let i = 0; i < 8; i++) {
    const bits = Math.max(0, Math.min(16, keep - i * 16));
    out.push((bits === 0 ? 0 : g[i]! & (0xffff << (16 - bits)) & 0xffff).toString(16));
  }
  return `${out.join(':')}/${keep}`;
}
