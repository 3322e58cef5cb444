#ifndef PRODUCT_GREET_H_
#define PRODUCT_GREET_H_

// What the product's program prints; also built as libgreet.so.
const char* Greeting();

#endif  // PRODUCT_GREET_H_
