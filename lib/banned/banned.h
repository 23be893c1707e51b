/* banned.h - calls that are unsafe or locale-dependent, banned from lib/ and
 * cli/ at compile time (git's banned.h). Use snprintf, memcpy with a checked
 * length, mg_parse_double / mg_parse_int64 and mg_format_double instead. */
#ifndef MG_BANNED_H
#define MG_BANNED_H

#define MG_BANNED(func) sorry_##func##_is_banned_in_modelgate

#undef strcpy
#define strcpy(x, y) MG_BANNED(strcpy)
#undef strcat
#define strcat(x, y) MG_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) MG_BANNED(strncpy)
#undef sprintf
#define sprintf(...) MG_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) MG_BANNED(vsprintf)
#undef gets
#define gets(x) MG_BANNED(gets)
#undef atoi
#define atoi(x) MG_BANNED(atoi)
#undef atol
#define atol(x) MG_BANNED(atol)
#undef atof
#define atof(x) MG_BANNED(atof)
#undef strtok
#define strtok(x, y) MG_BANNED(strtok)

#endif
