/* placeholder: being written */
#include <re.h>
