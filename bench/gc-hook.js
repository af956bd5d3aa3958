// Preloaded into confabd by bench/irc only (node --expose-gc --require bench/gc-hook.js): on SIGUSR2 it
// runs a full GC and prints the memory figures, so the bench can tell retained memory from the heap
// headroom V8 keeps. Not part of confabd.
process.on('SIGUSR2', () => {
  global.gc();
  global.gc();
  const m = process.memoryUsage();
  process.stderr.write(`GCSTAT ${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, external: m.external })}\n`);
});
