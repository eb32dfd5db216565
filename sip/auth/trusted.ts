import net from 'node:net';

/** Matches source addresses against configured IPs and CIDR blocks (IPv4 and IPv6). */
export class TrustedSources {
  private readonly list = new net.BlockList();
  private empty = true;

  constructor(entries: string[]) {
    for (const raw of entries) {
      const e = raw.trim();
      if (e === '') continue;
      const [addr, bits] = e.split('/');
      const type = net.isIPv6(addr!) ? 'ipv6' : 'ipv4';
      if (!net.isIP(addr!)) throw new TypeError(`trustedSources: "${e}" is not an IP address or CIDR block`);
      if (bits !== undefined) {
        const prefix = Number(bits);
        if (!Number.isInteger(prefix) || prefix < 0 || prefix > (type === 'ipv4' ? 32 : 128)) {
          throw new TypeError(`trustedSources: bad prefix length in "${e}"`);
        }
        this.list.addSubnet(addr!, prefix, type);
      } else {
        this.list.addAddress(addr!, type);
      }
      this.empty = false;
    }
  }

  /** answers cached per address: BlockList.check allocates on every call */
  private readonly cache = new Map<string, boolean>();

  has(address: string): boolean {
    if (this.empty) return false;
    let hit = this.cache.get(address);
    if (hit === undefined) {
      hit = this.list.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(address, hit);
    }
    return hit;
  }
}
