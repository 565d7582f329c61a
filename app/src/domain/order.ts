/** One order, as the app and both stores see it. Dates are ISO calendar dates (`YYYY-MM-DD`). */
export interface Order {
  /** RFC 4122 UUID in canonical lower-case form. With `userId`, the primary key. */
  readonly dateUuid: string;
  readonly userId: string;
  /** Digits only (13-19). Never leaves the app unmasked: see `maskCardNumber`. */
  readonly cardNumber: string;
  readonly storeCode: string;
  readonly productCode: string;
  readonly productQuantity: number;
  readonly orderDate: string;
  readonly shippingDate: string;
}

/** An order as pages, the API, CSV exports and logs show it. */
export type PublicOrder = Omit<Order, 'cardNumber'> & { readonly cardNumber: string };

export type OrderField = keyof Order;

/** Field order used by forms, tables and exports (the original app's column order). */
export const ORDER_FIELDS: readonly OrderField[] = [
  'dateUuid',
  'userId',
  'cardNumber',
  'storeCode',
  'productCode',
  'productQuantity',
  'orderDate',
  'shippingDate',
];

/** Human labels, as the original app's table headers. */
export const FIELD_LABELS: Readonly<Record<OrderField, string>> = {
  dateUuid: 'Date UUID',
  userId: 'User ID',
  cardNumber: 'Card Number',
  storeCode: 'Store Code',
  productCode: 'Product Code',
  productQuantity: 'Product Quantity',
  orderDate: 'Order Date',
  shippingDate: 'Shipping Date',
};

/** Form field names of the original Flask form (`POST /add_order`). */
export const FORM_FIELD_NAMES: Readonly<Record<OrderField, string>> = {
  dateUuid: 'date_uuid',
  userId: 'user_id',
  cardNumber: 'card_number',
  storeCode: 'store_code',
  productCode: 'product_code',
  productQuantity: 'product_quantity',
  orderDate: 'order_date',
  shippingDate: 'shipping_date',
};

/** Masks a card number to its last four digits: `**** **** **** 1234`. */
export function maskCardNumber(cardNumber: string): string {
  const digits = cardNumber.replace(/\D/g, '');
  return `**** **** **** ${digits.slice(-4)}`;
}

export function toPublicOrder(order: Order): PublicOrder {
  return { ...order, cardNumber: maskCardNumber(order.cardNumber) };
}
