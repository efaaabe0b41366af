/* placeholder */
#include <re.h>
#include "test.h"
int test_benc_decode(void){return 0;}
int test_benc_truncated(void){return 0;}
int test_benc_nested(void){return 0;}
int test_benc_huge(void){return 0;}
int test_benc_encode(void){return 0;}
int test_benc_roundtrip(void){return 0;}
