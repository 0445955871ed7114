/** vendors.list, services.list, paymentTerms.list, salesChannels.list: what document payloads reference. */

import type { ApiHandler } from './context.js';
import { pageParams } from './params.js';
import { accessibleCompany, paginate } from './views.js';

/** A paginated, name-searchable list of the company's records (vendors and services). */
function searchableList<T extends { companyUuid: string; name: string }>(
  records: (ctx: Parameters<ApiHandler>[0]) => readonly T[],
  view: (record: T) => unknown,
): ApiHandler {
  return (ctx, call) => {
    const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
    const search = (call.params.search as string | undefined)?.toLowerCase();
    const { page, perPage } = pageParams(call, 100);
    const matching = records(ctx).filter(
      (record) => record.companyUuid === company.uuid && (!search || record.name.toLowerCase().includes(search)),
    );
    const result = paginate(matching, page, perPage);
    const filters = search ? { search: call.params.search } : {};
    return { body: { ...result, filters, data: result.data.map(view) } };
  };
}

export const listVendors = searchableList(
  (ctx) => ctx.data.vendors,
  (vendor) => ({
    id: vendor.id,
    bk_id: vendor.bkId,
    bk_type: vendor.bkType,
    payment_term_id: vendor.paymentTermId,
    name: vendor.name,
    code: vendor.code,
  }),
);

export const listServices = searchableList(
  (ctx) => ctx.data.services,
  (service) => ({ id: service.id, name: service.name, group: service.group }),
);

/** System terms and the company's own, unpaginated. */
export const listPaymentTerms: ApiHandler = (ctx, call) => {
  const company = accessibleCompany(ctx, call, call.params.companyUuid as string);
  const terms = ctx.data.paymentTerms.filter((term) => term.companyUuid === null || term.companyUuid === company.uuid);
  return {
    body: {
      data: terms.map((term) => ({
        id: term.id,
        system: term.companyUuid === null,
        document: term.document,
        name: term.name,
        schema: term.schema,
      })),
    },
  };
};

/** Platform-wide, unpaginated. */
export const listSalesChannels: ApiHandler = (ctx) => ({
  body: { data: ctx.data.salesChannels.map((channel) => ({ id: channel.id, name: channel.name })) },
});
