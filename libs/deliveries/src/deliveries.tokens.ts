/** The service's name, as each delivery names it (`order`, `inventory`…). */
export const DELIVERIES_SERVICE_NAME = Symbol('DELIVERIES_SERVICE_NAME');
