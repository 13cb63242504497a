/**
 * A realistic ~4 KB orders/create body, written the way Shopify writes it: IDs above 2^53 as bare
 * numbers, money as decimal strings.
 */
export function orderWebhookBody(lineItems = 5, orderId = 820982911946154508n): Buffer {
  const items = Array.from({ length: lineItems }, (_, i) => {
    const id = 866550311766439020n + BigInt(i);
    const variant = 808950810n + BigInt(i);
    return (
      `{"id":${id},"admin_graphql_api_id":"gid://shopify/LineItem/${id}","product_id":632910392${i},` +
      `"variant_id":${variant},"sku":"IPOD2008-${i}","title":"IPod Nano - 8GB (colour ${i})",` +
      `"variant_title":"green","vendor":"Apple","quantity":${1 + (i % 3)},"price":"199.00",` +
      `"price_set":{"shop_money":{"amount":"199.00","currency_code":"USD"},"presentment_money":{"amount":"199.00","currency_code":"USD"}},` +
      `"total_discount":"0.00","fulfillable_quantity":1,"fulfillment_service":"manual","grams":200,"requires_shipping":true,"taxable":true}`
    );
  }).join(',');
  const address =
    '{"first_name":"Bob","last_name":"Norman","address1":"Chestnut Street 92","city":"Louisville","province":"Kentucky","country":"United States","zip":"40202","phone":"+1(502)-459-2181","country_code":"US","province_code":"KY"}';
  return Buffer.from(
    `{"id":${orderId},"admin_graphql_api_id":"gid://shopify/Order/${orderId}","name":"#1001","order_number":1001,` +
      `"email":"bob.norman@mail.example.com","created_at":"2026-11-27T10:00:00-05:00","updated_at":"2026-11-27T10:00:00-05:00",` +
      `"currency":"USD","presentment_currency":"USD","financial_status":"paid","fulfillment_status":null,` +
      `"total_price":"1791.00","subtotal_price":"1791.00","total_tax":"0.00","total_discounts":"0.00",` +
      `"total_price_set":{"shop_money":{"amount":"1791.00","currency_code":"USD"},"presentment_money":{"amount":"1791.00","currency_code":"USD"}},` +
      `"customer":{"id":207119551,"email":"bob.norman@mail.example.com","first_name":"Bob","last_name":"Norman","state":"disabled","default_address":${address}},` +
      `"line_items":[${items}],"shipping_lines":[{"id":369256396,"title":"Free Shipping","price":"0.00","code":"Free Shipping"}],` +
      `"billing_address":${address},"shipping_address":${address},"tags":"bfcm, vip","test":false,"cancelled_at":null,"cancel_reason":null}`,
  );
}
