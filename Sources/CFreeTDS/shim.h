#ifndef BERQENAS_CFREETDS_SHIM_H
#define BERQENAS_CFREETDS_SHIM_H
#include <sybfront.h>
#include <sybdb.h>
#endif
