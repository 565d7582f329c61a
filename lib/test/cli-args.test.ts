import { oneOf, parseArgs, usage, UsageError, wholeNumber } from '../cli-args';

const FLAGS = { env: 'the environment', image: 'registry/name:tag' };

test('reads --name value and --name=value pairs', () => {
  expect(parseArgs(['--env', 'dev', '--image=a/b:1'], FLAGS)).toEqual({ env: 'dev', image: 'a/b:1' });
});

test('--help and -h set help', () => {
  expect(parseArgs(['--help'], FLAGS)).toEqual({ help: 'true' });
  expect(parseArgs(['-h', '--env', 'prod'], FLAGS)).toEqual({ help: 'true', env: 'prod' });
});

test('takes the next argument as the value, as before, even when it starts with dashes', () => {
  expect(parseArgs(['--env', '--image'], FLAGS)).toEqual({ env: '--image' });
});

test.each([['--nope'], ['--nope=1'], ['-x'], ['stray'], ['--'], ['--help=1'], ['--Env']])('refuses %s naming it and the known flags', (arg) => {
  expect(() => parseArgs([arg], FLAGS)).toThrow(new UsageError(`Unknown argument ${JSON.stringify(arg)}. Known: --env, --image.`));
});

test('refuses a flag without a value, naming its meaning', () => {
  expect(() => parseArgs(['--env'], FLAGS)).toThrow('--env needs a value (the environment).');
});

test('an empty value is a value', () => {
  expect(parseArgs(['--env', ''], FLAGS)).toEqual({ env: '' });
});

test('usage lists each flag with its meaning', () => {
  expect(usage('npm run x -- [options]', FLAGS)).toBe('Usage: npm run x -- [options]\n  --env  the environment\n  --image  registry/name:tag\n');
});

test('oneOf and wholeNumber name the flag, the allowed values and what was given', () => {
  expect(oneOf('env', 'dev', ['dev', 'prod'])).toBe('dev');
  expect(() => oneOf('env', 'qa', ['dev', 'prod'])).toThrow('--env must be one of dev, prod; got "qa".');
  expect(wholeNumber('n', undefined, 1, 5, 3)).toBe(3);
  expect(wholeNumber('n', '4', 1, 5, 3)).toBe(4);
  expect(() => wholeNumber('n', '9', 1, 5, 3)).toThrow('--n must be a whole number from 1 to 5; got "9".');
});
