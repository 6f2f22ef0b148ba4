import { createRequire as __rhgCreateRequire } from 'node:module'; const require = __rhgCreateRequire(import.meta.url);
import{a,b,c,d}from"./chunk-BZDIONAB.js";import"./chunk-YFQZRL6X.js";import"./chunk-TEOCK5RH.js";import"./chunk-RXVGHDR2.js";import"./chunk-S4C3OBP2.js";export{c as actionText,a as buildAlert,b as buildAnnotation,d as onset};
