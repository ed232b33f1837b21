/** A subsystem's state for /health/ready and /api/system/status (identity provider, SMTP, storage …). */
export type HealthReporter = () => Promise<Record<string, unknown>> | Record<string, unknown>;

/**
 * The reporters both /health/ready and GET /api/system/status show. They describe, they never fail
 * readiness: a reporter that throws shows up as `{status: "error", error}`.
 */
export class HealthRegistry {
  private readonly reporters = new Map<string, HealthReporter>();

  register(name: string, reporter: HealthReporter): void {
    if (name === 'status' || name === 'database') throw new Error(`health reporter name "${name}" is reserved`);
    if (this.reporters.has(name)) throw new Error(`health reporter ${name} registered twice`);
    this.reporters.set(name, reporter);
  }

  names(): string[] {
    return [...this.reporters.keys()];
  }

  /** Every reporter's state, asked in parallel. */
  async collect(): Promise<Record<string, Record<string, unknown>>> {
    const entries = await Promise.all(
      [...this.reporters].map(async ([name, report]) => {
        try {
          return [name, await report()] as const;
        } catch (error) {
          return [name, { status: 'error', error: error instanceof Error ? error.message : String(error) }] as const;
        }
      }),
    );
    return Object.fromEntries(entries);
  }
}
