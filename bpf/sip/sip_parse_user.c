// placeholder while the parser is written
int sg_parse_placeholder;
