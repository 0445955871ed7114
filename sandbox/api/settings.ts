/** A company's forecasting defaults: read (the document's defaults where the company set nothing) and update. */

import type { ApiHandler } from './context.js';
import { loadApiDocument } from './spec.js';
import { accessibleCompany } from './views.js';

type Json = Record<string, unknown>;

/** The defaults the document gives each setting, and null for the ones it gives none. */
function documentDefaults(): Json {
  const paths = loadApiDocument().paths as Record<string, Record<string, Json>>;
  const operation = paths['/api/v1/companies/{companyUuid}/settings/forecasts']?.get as Json;
  const schema = (operation.responses as Record<string, Json>)['200']?.content as Record<string, { schema: Json }>;
  const properties = (schema['application/json']?.schema.properties ?? {}) as Record<string, { default?: unknown }>;
  return Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, property.default ?? null]));
}

let cachedDefaults: Json | undefined;

/** The document's defaults, read once: the document does not change while running. */
function defaults(): Json {
  cachedDefaults ??= documentDefaults();
  return cachedDefaults;
}

export const getCompanyForecastingSettings: ApiHandler = (ctx, call) => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  return { body: { ...defaults(), ...ctx.state.forecastSettings.get(company.uuid) } };
};

export const updateCompanyForecastingSettings: ApiHandler = (ctx, call) => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  const known = Object.keys(defaults());
  // Keys the document does not define are ignored rather than stored, as Laravel's validated() does.
  const changes = Object.fromEntries(Object.entries(call.body()).filter(([name]) => known.includes(name)));
  ctx.state.forecastSettings.set(company.uuid, { ...ctx.state.forecastSettings.get(company.uuid), ...changes });
  return { body: { success: true } };
};
