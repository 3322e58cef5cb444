#include "greet.h"

const char* Greeting() { return "hello from a product signed with its own key"; }
