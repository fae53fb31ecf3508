import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackConfig } from '@app/config';
import type { JavaRuntime } from './java';
import { assertPortFree, ownedPid, run, startDetached, stopProcess } from './process-control';

/**
 * A single-node Apache Kafka in KRaft mode (combined broker + controller) with a static
 * quorum, replication factors of 1 and transactions usable on one broker.
 */
export class KafkaService {
  readonly name = 'kafka';
  readonly dir: string;
  readonly dataDir: string;
  readonly logFile: string;
  private readonly pidFile: string;
  private readonly marker: string;

  constructor(private readonly stack: StackConfig) {
    this.dir = join(stack.dir, 'kafka');
    this.dataDir = join(this.dir, 'data');
    this.logFile = join(this.dir, 'kafka.log');
    this.pidFile = join(this.dir, 'kafka.pid');
    this.marker = `-Dcortege.stack.dir=${stack.dir}`;
  }

  pid(): number | undefined {
    return ownedPid(this.pidFile, this.marker);
  }

  /** The port the running broker was started on (its last written configuration), if it runs. */
  runningPort(): number | undefined {
    if (this.pid() === undefined) return undefined;
    const file = join(this.dir, 'server.properties');
    const match = existsSync(file)
      ? /^listeners=PLAINTEXT:\/\/[^:]+:(\d+)/m.exec(readFileSync(file, 'utf8'))
      : null;
    return match ? Number(match[1]) : undefined;
  }

  /** Formats the storage on first use, then starts the broker unless it already runs. */
  start(java: JavaRuntime, classpath: string): void {
    if (this.pid() !== undefined) return;
    const { kafka, kafkaController } = this.stack.ports;
    assertPortFree(kafka, 'kafka');
    assertPortFree(kafkaController, 'kafka controller');
    mkdirSync(this.dataDir, { recursive: true });
    const properties = this.writeConfig();
    if (!existsSync(join(this.dataDir, 'meta.properties'))) {
      // Kafka's cluster ids are 16 random bytes in URL-safe base64 without padding; one that
      // starts with '-' would be read by StorageTool as an option.
      let clusterId = randomBytes(16).toString('base64url');
      while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
      run(
        java.bin,
        ['-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties],
        'Kafka storage format',
      );
    }
    startDetached(
      java.bin,
      [
        `-Xms256m`,
        `-Xmx${this.stack.kafkaHeap}`,
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-Djava.awt.headless=true',
        this.marker,
        `-Dlog4j2.configurationFile=${join(this.dir, 'log4j2.properties')}`,
        `-Dkafka.logs.dir=${this.dir}`,
        '-cp',
        classpath,
        'kafka.Kafka',
        properties,
      ],
      { logFile: this.logFile, pidFile: this.pidFile, cwd: this.dir },
    );
  }

  async stop(): Promise<void> {
    const pid = this.pid();
    // A controlled shutdown moves nothing on one node but still takes a few seconds.
    if (pid !== undefined) await stopProcess(pid, 30_000);
  }

  private writeConfig(): string {
    const { kafka, kafkaController } = this.stack.ports;
    const file = join(this.dir, 'server.properties');
    writeFileSync(
      file,
      [
        '# Written by infra/local at each start; edit infra/local/src/kafka.service.ts instead.',
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@127.0.0.1:${kafkaController}`,
        `listeners=PLAINTEXT://127.0.0.1:${kafka},CONTROLLER://127.0.0.1:${kafkaController}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${kafka}`,
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
        `log.dirs=${this.dataDir}`,
        'num.partitions=1',
        'default.replication.factor=1',
        'min.insync.replicas=1',
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=10',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'transaction.state.log.num.partitions=10',
        'group.initial.rebalance.delay.ms=0',
        // One JVM is broker and controller: on a loaded machine its heartbeat to itself can be
        // late, and at the default 9 s the controller fences it (partitions leaderless, "not
        // the leader" for every request) again and again. Seen under load after a broker kill.
        'broker.session.timeout.ms=30000',
        // Topics are created on purpose (ops CLI, tests), so a misspelt topic fails loudly.
        'auto.create.topics.enable=false',
        'delete.topic.enable=true',
        'log.retention.hours=168',
        'log.segment.bytes=67108864',
        // One node on a small machine: Kafka's defaults (8 request handlers, 3 network threads,
        // 10 background threads) woke 45 threads at once on a 2-core machine and starved the apps.
        'num.io.threads=2',
        'num.network.threads=2',
        'background.threads=4',
        'log.cleaner.threads=1',
        'num.recovery.threads.per.data.dir=2',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(this.dir, 'log4j2.properties'),
      [
        'status=warn',
        'appender.out.type=Console',
        'appender.out.name=out',
        'appender.out.layout.type=PatternLayout',
        'appender.out.layout.pattern=[%d] %p %m (%c)%n',
        'rootLogger.level=INFO',
        'rootLogger.appenderRef.out.ref=out',
        'logger.state.name=state.change.logger',
        'logger.state.level=WARN',
        'logger.kafka.name=kafka',
        'logger.kafka.level=INFO',
        'logger.request.name=kafka.request.logger',
        'logger.request.level=WARN',
        '',
      ].join('\n'),
    );
    return file;
  }
}
