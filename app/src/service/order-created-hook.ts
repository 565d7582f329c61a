import type { Logger } from 'pino';
import type { Order } from '../domain/order';
import type { AppMetrics } from '../http/metrics';

/**
 * What happens after an order is stored: the `orders_created_total` counter, and one log
 * line that monitoring's "orders created per hour" query reads (monitoring/queries/app/).
 * The line names the store and product only: never the card number or the user.
 */
export function orderCreatedHook(metrics: AppMetrics, logger: Logger): (order: Order) => void {
  return (order) => {
    metrics.ordersCreated.inc();
    logger.info(
      { event: 'order_created', storeCode: order.storeCode, productCode: order.productCode, quantity: order.productQuantity },
      'order created',
    );
  };
}
