/** What an Application Insights connection string looks like, for messages and docs. */
export const CONNECTION_STRING_SHAPE = 'InstrumentationKey=<GUID>;IngestionEndpoint=https://<region>.in.applicationinsights.azure.com/;...';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Why a text is not an Application Insights connection string the exporter can use, or
 * undefined when it is. The rules are the exporter's own (it discards the whole string on a
 * part that is not exactly one `Key=Value`, throws on an instrumentation key that is not a
 * lower-case GUID, and silently turns an `http` endpoint into `https`), checked here so a wrong
 * value stops the start with a message instead. The message never quotes the value.
 */
export function connectionStringProblem(value: string): string | undefined {
  const fields = new Map<string, string>();
  for (const part of value.split(';')) {
    const pair = part.split('=');
    if (pair.length !== 2 || pair[0] === '') return "has a part that is not one Key=Value pair (parts are separated by ';', none empty)";
    fields.set(pair[0]!.toLowerCase(), pair[1]!);
  }
  const key = fields.get('instrumentationkey');
  if (key === undefined) return 'has no InstrumentationKey';
  if (!GUID.test(key)) return 'its InstrumentationKey is not a lower-case GUID';
  const endpoint = fields.get('ingestionendpoint');
  if (endpoint !== undefined && !(URL.canParse(endpoint) && new URL(endpoint).protocol === 'https:')) {
    return 'its IngestionEndpoint is not an https URL';
  }
  return undefined;
}
