import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { jobsOf, loadPipeline, PIPELINES_DIR, stepsOf } from './pipeline-model';

const ROOT = join(__dirname, '../..');
const { pipeline, vars } = loadPipeline(join(PIPELINES_DIR, 'mutation-testing.yml'));
const [job] = jobsOf(pipeline);
const steps = stepsOf(job);
const stryker = JSON.parse(readFileSync(join(ROOT, 'stryker.config.json'), 'utf8')) as {
  mutate: string[];
  thresholds: { break: number };
  reporters: string[];
  incremental: boolean;
  incrementalFile: string;
  htmlReporter: { fileName: string };
  jsonReporter: { fileName: string };
};
const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const indexOf = (match: (s: any) => boolean) => steps.findIndex(match);

test('runs nightly on main when it has changed, and never for a push', () => {
  expect(pipeline.trigger).toBe('none');
  expect(pipeline.schedules).toEqual([
    { cron: '0 3 * * *', displayName: 'Nightly mutation testing of main', branches: { include: ['main'] }, always: false },
  ]);
});

test('runs on pull requests to main that change a guarded module, the tests or the mutation setup, and only those', () => {
  expect(pipeline.pr.branches).toEqual({ include: ['main'] });
  const paths: string[] = pipeline.pr.paths.include;
  for (const file of stryker.mutate) {
    expect(paths).toContain(file);
    expect(paths).toContain(`${file.split('/')[0]}/test`);
  }
  expect(paths).toEqual(expect.arrayContaining(['stryker.config.json', 'stryker.jest.config.js', 'lib/mutation']));
  expect(paths).not.toContain('app');
});

test('runs npm run test:mutation, which fails the job under the break threshold of 80%', () => {
  expect(job.pool).toEqual({ vmImage: '$(hostedImage)' });
  const run = indexOf((s) => s.script === 'npm run test:mutation');
  expect(run).toBeGreaterThan(indexOf((s) => s.script === 'npm ci'));
  expect(steps[run].condition).toBeUndefined();
  expect(scripts['test:mutation']).toBe('stryker run');
  expect(stryker.thresholds.break).toBe(80);
  expect(job.timeoutInMinutes).toBe(60);
});

test("restores Stryker's incremental file before the run and saves a new entry after it, which pull requests read too", () => {
  expect(stryker.incremental).toBe(true);
  expect(vars.mutationReportDir).toBe(dirname(stryker.incrementalFile));
  const cache = indexOf((s) => s.task === 'Cache@2' && s.inputs.path === '$(mutationReportDir)');
  expect(cache).toBeGreaterThan(indexOf((s) => s.script === 'npm ci'));
  expect(cache).toBeLessThan(indexOf((s) => s.script === 'npm run test:mutation'));
  expect(steps[cache].inputs.key).toBe('stryker-incremental | "$(Agent.OS)" | $(Build.SourceVersion)');
  expect(steps[cache].inputs.restoreKeys.trim()).toBe('stryker-incremental | "$(Agent.OS)"');
});

test('publishes the HTML and JSON reports from where Stryker writes them, also when the score is under the threshold', () => {
  expect(stryker.reporters).toEqual(expect.arrayContaining(['html', 'json']));
  expect(dirname(stryker.htmlReporter.fileName)).toBe(vars.mutationReportDir);
  expect(dirname(stryker.jsonReporter.fileName)).toBe(vars.mutationReportDir);
  const publish = steps.filter((s: any) => s.publish);
  expect(publish).toEqual([
    {
      publish: '$(mutationReportDir)',
      artifact: 'mutation-report',
      displayName: 'Publish the mutation report (HTML and JSON)',
      condition: 'succeededOrFailed()',
    },
  ]);
  expect(indexOf((s) => s.publish)).toBeGreaterThan(indexOf((s) => s.script === 'npm run test:mutation'));
});
