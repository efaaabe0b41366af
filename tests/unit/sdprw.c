/* placeholder */
#include <re.h>
#include "test.h"
int test_sdprw_parse(void){return 0;}
int test_sdprw_golden(void){return 0;}
int test_sdprw_bad(void){return 0;}
