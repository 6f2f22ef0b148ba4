import { createRequire as __rhgCreateRequire } from 'node:module'; const require = __rhgCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-ST57DTEQ.js";import"./chunk-OLEQKARW.js";import"./chunk-RXVGHDR2.js";import"./chunk-GSVTP3W7.js";import"./chunk-S4C3OBP2.js";export{c as actionText,a as buildAlert,b as buildAnnotation,d as onset};
