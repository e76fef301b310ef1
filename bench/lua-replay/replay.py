#!/usr/bin/env python3
"""Replays one real check-in commit (captured with MONITOR from the check-in bench) through CommitMany, in batches,
on a redis-server of its own, and prints microseconds of Redis time per commit (INFO commandstats), min/median/max
of the runs. The script is taken from src/MusterBot.State/Redis/RedisScripts.cs as the store builds it (its SHA1 is
checked against the captured call when they match). --cut STEP ends each commit early, after a step, to see what
each part costs:  mark | docs | sets | heads | messages | timers.

  python3 bench/lua-replay/replay.py [--batches 1000] [--size 12] [--runs 3] [--cut messages]
"""
import argparse, hashlib, json, os, re, socket, statistics, subprocess, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, '..', '..', 'src', 'MusterBot.State', 'Redis', 'RedisScripts.cs')
CUTS = {'mark': "\n  docs = {}\n", 'docs': "\n  for _, s in ipairs(c.s) do\n",
        'sets': "\n  local scores = {'', '', '', '', '', '', '', '', ''}\n", 'heads': "\n  -- One INCRBY numbers",
        'messages': "\n  if c.ct then dropTimer(c.ct) end\n", 'timers': "\n  local epoch = '0'\n"}


def unindent(body, indent):
    return '\n'.join(l[len(indent):] if l.startswith(indent) else l.lstrip() for l in body.split('\n'))


def script(name):
    src = open(SCRIPTS, encoding='utf-8').read()
    def const(n):
        m = re.search(r'private const string ' + n + r' = (?:"([^"]*)"|"""\n(.*?)\n( *)""");', src, re.S)
        return m.group(1).encode().decode('unicode_escape') if m.group(1) is not None else unindent(m.group(2), m.group(3))
    m = re.search(r'public static readonly RedisScript ' + name + r' = new\(nameof\(' + name + r'\), ([A-Za-z +]+)"""\n(.*?)\n( *)"""\);', src, re.S)
    return ''.join(const(p.strip()) for p in m.group(1).split('+') if p.strip()) + unindent(m.group(2), m.group(3))


def monitor_args(line):
    s, args, j = line[line.index('"'):], [], 0
    while j < len(s):
        if s[j] != '"':
            j += 1
            continue
        j, b = j + 1, bytearray()
        while s[j] != '"':
            if s[j] == '\\':
                if s[j + 1] == 'x':
                    b.append(int(s[j + 2:j + 4], 16)); j += 4; continue
                b += {'n': b'\n', 'r': b'\r', 't': b'\t', 'a': b'\a', 'b': b'\b', '"': b'"', '\\': b'\\'}[s[j + 1]]; j += 2; continue
            b += s[j].encode(); j += 1
        args.append(bytes(b)); j += 1
    return args


class Redis:
    def __init__(self, port):
        self.s = socket.create_connection(('127.0.0.1', port)); self.f = self.s.makefile('rb')

    def call(self, *args):
        out = [b'*%d\r\n' % len(args)]
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out.append(b'$%d\r\n' % len(a) + a + b'\r\n')
        self.s.sendall(b''.join(out)); return self.read()

    def read(self):
        line = self.f.readline(); t, r = line[:1], line[1:-2]
        if t == b'-': raise RuntimeError(r.decode())
        if t == b':': return int(r)
        if t == b'$': return None if int(r) < 0 else self.f.read(int(r) + 2)[:-2]
        if t == b'*': return [self.read() for _ in range(int(r))]
        return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--batches', type=int, default=1000); ap.add_argument('--size', type=int, default=12)
    ap.add_argument('--runs', type=int, default=3); ap.add_argument('--cut', choices=sorted(CUTS))
    o = ap.parse_args()
    body = script('CommitMany')
    args = monitor_args(open(os.path.join(HERE, 'checkin-commit.monitor.txt'), encoding='utf-8').read())
    if args[1].decode() != hashlib.sha1(body.encode()).hexdigest():
        print('note: the captured call was made with another version of CommitMany; its arguments still fit if the layout did not change')
    if o.cut:
        body = body.replace(CUTS[o.cut], "\n  do return {0,'0',{'','','','','','','','',''},{}} end" + CUTS[o.cut], 1)
    nk = int(args[2]); keys, argv = args[3:3 + nk], args[3 + nk:]
    header, parts, commit, payload = argv[:7], int(argv[7]), json.loads(argv[8]), argv[9:9 + int(argv[7])]
    for w in commit['w']:
        w.pop('ev', None)  # replayed many times: no expected versions
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as d:
        server = subprocess.Popen(['redis-server', '--port', str(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', d], stdout=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    r = Redis(port); r.call('PING'); break
                except OSError:
                    time.sleep(0.05)
            sha = r.call('SCRIPT', 'LOAD', body).decode()
            update, per_commit = int(time.time() * 1000) * 100, []
            for run in range(o.runs):
                r.call('FLUSHALL'); r.call('CONFIG', 'RESETSTAT')
                for b in range(o.batches):
                    call = list(header)
                    for _ in range(o.size):
                        update += 1; c = dict(commit); c['u'] = str(update)
                        call += [str(parts).encode(), json.dumps(c, separators=(',', ':')).encode()] + payload
                    reply = r.call('EVALSHA', sha, str(nk), *keys, *call)
                    if b == 0 and not o.cut and any(x[0] != 0 for x in reply[10:]):
                        raise SystemExit(f'a commit was not applied: {reply[10:]}')
                m = re.search(r'cmdstat_evalsha:calls=(\d+),usec=(\d+)', r.call('INFO', 'commandstats').decode())
                per_commit.append(int(m.group(2)) / int(m.group(1)) / o.size)
                print(f'run {run + 1}: {per_commit[-1]:.1f} µs per commit ({o.batches} runs of {o.size})')
            print(f"CommitMany{' cut after ' + o.cut if o.cut else ''}: min / median / max {min(per_commit):.1f} / {statistics.median(per_commit):.1f} / {max(per_commit):.1f} µs per commit")
        finally:
            server.terminate(); server.wait()


if __name__ == '__main__':
    main()
