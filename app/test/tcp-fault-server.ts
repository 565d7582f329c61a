import net from 'node:net';

/** What the fault server does with a connection. */
export type TcpFaultMode = 'forward' | 'reset' | 'silent';

/**
 * A local TCP server that stands in for a database's address: it forwards to the real
 * server (when there is one), resets every connection (the server is down or failing over),
 * or accepts and never answers (a black hole). Switching away from `forward` also cuts the
 * connections already open, as a failover does.
 */
export class TcpFaultServer {
  /** Connections accepted so far, in every mode. */
  public accepted = 0;
  private mode: TcpFaultMode;
  private readonly open = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    mode: TcpFaultMode,
    private readonly target?: { readonly host: string; readonly port: number },
  ) {
    this.mode = mode;
  }

  static async start(mode: TcpFaultMode, target?: { host: string; port: number }): Promise<TcpFaultServer> {
    if (mode === 'forward' && !target) throw new Error('forward needs a target');
    const server = net.createServer();
    const self = new TcpFaultServer(server, mode, target);
    server.on('connection', (socket) => self.accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  setMode(mode: TcpFaultMode): void {
    if (mode === 'forward' && !this.target) throw new Error('forward needs a target');
    this.mode = mode;
    if (mode !== 'forward') for (const s of this.open) s.resetAndDestroy();
  }

  async close(): Promise<void> {
    for (const s of this.open) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.accepted++;
    socket.on('error', () => undefined);
    if (this.mode === 'reset') {
      socket.resetAndDestroy();
      return;
    }
    this.track(socket);
    if (this.mode === 'silent') return;
    const upstream = net.connect(this.target!.port, this.target!.host);
    upstream.on('error', () => socket.destroy());
    this.track(upstream);
    socket.pipe(upstream).pipe(socket);
  }

  private track(socket: net.Socket): void {
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    socket.on('error', () => socket.destroy());
  }
}
