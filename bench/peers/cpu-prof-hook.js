// Preloaded into confabd by bench/tox when CPU_PROF names a folder (node --require
// bench/peers/cpu-prof-hook.js): SIGTTIN starts V8's CPU profiler, SIGTTOU stops it and writes
// <CPU_PROF>/confabd-<pid>-<n>.cpuprofile (open in Chrome DevTools, or summarise its self times), so
// the profile covers the idle window only; with it, the garbage collections of the window (count and
// time by kind) on stderr and a sampled allocation profile (.heapprofile: who allocates). Not part of
// confabd.
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const { PerformanceObserver, constants } = require('node:perf_hooks');

const dir = process.env.CPU_PROF;
const kinds = { [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb' };
let gcs = {};
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const k = kinds[e.detail?.kind] ?? String(e.detail?.kind);
    const g = (gcs[k] ??= { count: 0, ms: 0 });
    g.count++;
    g.ms += e.duration;
  }
});
const session = new Session();
session.connect();
let n = 0;
process.on('SIGTTIN', () => {
  gcs = {};
  gcObserver.observe({ entryTypes: ['gc'] });
  session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 1000 }, () => session.post('Profiler.start')));
  session.post('HeapProfiler.enable', () => session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }));
});
process.on('SIGTTOU', () => {
  gcObserver.disconnect();
  process.stderr.write(`CPUPROF GC ${JSON.stringify(gcs)}\n`);
  session.post('Profiler.stop', (err, res) => {
    if (err) return void process.stderr.write(`CPUPROF error ${err.message}\n`);
    const file = join(dir, `confabd-${process.pid}-${++n}.cpuprofile`);
    writeFileSync(file, JSON.stringify(res.profile));
    session.post('HeapProfiler.stopSampling', (herr, hres) => {
      if (!herr) writeFileSync(file.replace(/\.cpuprofile$/, '.heapprofile'), JSON.stringify(hres.profile));
      process.stderr.write(`CPUPROF ${file}\n`);
    });
  });
});
