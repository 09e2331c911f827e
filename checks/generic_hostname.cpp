#include "checks/generic_hostname.hpp"
