// Preloaded by bench:synth: reports the process's peak resident memory when it exits.
process.on('exit', () => {
  process.stderr.write(`\nmaxRSS_KB=${process.resourceUsage().maxRSS}\n`);
});
