// grpc-js health server for the healthcheck tests: @grpc/grpc-js with the
// stock health service of the grpc-health-check package.
//
//   node jsserver.js [--listen ADDR] [--status NAME=STATUS]... [--no-health] [--slow MS]
//                    [--tls-cert FILE --tls-key FILE]
//
// The command line and the stdout/stdin protocol are those of every test
// server (tests/grpc/README.md). Modules come from NODE_PATH (tests/grpc.mk
// installs them under build/ with npm ci).
'use strict';

const grpc = require('@grpc/grpc-js');
const { HealthImplementation } = require('grpc-health-check');
const readline = require('readline');
const fs = require('fs');

const USAGE = 'usage: jsserver.js [--listen ADDR] [--status NAME=STATUS]... [--no-health] [--slow MS]' +
  ' [--tls-cert FILE --tls-key FILE]';
const STATUSES = ['SERVING', 'NOT_SERVING', 'UNKNOWN'];

function say(line) {
  process.stdout.write(line + '\n');
}

function usage(msg) {
  process.stderr.write('jsserver: ' + msg + '\n' + USAGE + '\n');
  process.exit(64);
}

function parse(argv) {
  const opt = { listen: '127.0.0.1:0', status: { '': 'SERVING' }, health: true, slow: 0, cert: null, key: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-health') {
      opt.health = false;
      continue;
    }
    if (i + 1 >= argv.length) usage('unknown or incomplete option ' + a);
    const v = argv[++i];
    if (a === '--listen') {
      opt.listen = v;
    } else if (a === '--tls-cert') {
      opt.cert = v;
    } else if (a === '--tls-key') {
      opt.key = v;
    } else if (a === '--slow') {
      if (!/^[0-9]+$/.test(v)) usage('bad --slow ' + v);
      opt.slow = Number(v);
    } else if (a === '--status') {
      const eq = v.indexOf('=');
      if (eq < 0 || !STATUSES.includes(v.slice(eq + 1))) {
        usage('--status wants NAME=STATUS, STATUS one of ' + STATUSES.join(' '));
      }
      opt.status[v.slice(0, eq)] = v.slice(eq + 1);
    } else {
      usage('unknown option ' + a);
    }
  }
  if ((opt.cert === null) !== (opt.key === null)) usage('--tls-cert and --tls-key go together');
  return opt;
}

function report(call, name) {
  const md = {};
  const all = call.metadata.toJSON();
  for (const k of Object.keys(all)) {
    md[k] = all[k].map((v) => (Buffer.isBuffer(v) ? v.toString('base64') : String(v)));
  }
  const d = call.getDeadline();
  const ms = d instanceof Date ? d.getTime() - Date.now() : (Number.isFinite(d) ? d - Date.now() : null);
  say(JSON.stringify({ call: name, service: call.request.service, metadata: md, deadline_ms: ms }));
}

// The stock service registers itself with server.addService(); this hands
// it a server whose addService wraps each handler to report the call (and
// delay Check) before the stock code answers.
function reporting(server, opt) {
  return {
    addService(service, impl) {
      server.addService(service, {
        ...impl,
        check(call, callback) {
          report(call, 'Check');
          if (opt.slow > 0) setTimeout(() => impl.check(call, callback), opt.slow);
          else impl.check(call, callback);
        },
        watch(call) {
          report(call, 'Watch');
          impl.watch(call);
        },
      });
    },
  };
}

function command(health, opt, line) {
  const f = line.trim().split(/\s+/);
  if (f[0] === 'set' && (f.length === 2 || f.length === 3)) {
    const name = f.length === 3 && f[1] !== '""' ? f[1] : '';
    const st = f[f.length - 1];
    if (!STATUSES.includes(st)) return 'error: bad status ' + st;
    if (!health) return 'error: no health service';
    health.setStatus(name, st);
    return 'ok';
  }
  if (f[0] === 'slow' && f.length === 2) {
    if (!/^[0-9]+$/.test(f[1])) return 'error: bad delay ' + f[1];
    opt.slow = Number(f[1]);
    return 'ok';
  }
  return 'error: unknown command';
}

function main() {
  const opt = parse(process.argv.slice(2));
  const server = new grpc.Server();
  let health = null;
  if (opt.health) {
    health = new HealthImplementation(opt.status);
    health.addToServer(reporting(server, opt));
  }
  const unix = opt.listen.startsWith('unix:');
  const creds = opt.cert === null ? grpc.ServerCredentials.createInsecure() :
    grpc.ServerCredentials.createSsl(null, [{ cert_chain: fs.readFileSync(opt.cert),
      private_key: fs.readFileSync(opt.key) }]);
  server.bindAsync(opt.listen, creds, (err, port) => {
    if (err) {
      process.stderr.write('jsserver: cannot listen on ' + opt.listen + ': ' + err.message + '\n');
      process.exit(1);
    }
    say(unix ? '0' : String(port));
    const rl = readline.createInterface({ input: process.stdin });
    rl.on('line', (line) => say(command(health, opt, line)));
    rl.on('close', () => {
      server.forceShutdown();
      if (unix) {
        try { fs.unlinkSync(opt.listen.slice(5)); } catch (e) { /* already gone */ }
      }
      process.exit(0);
    });
  });
}

main();
