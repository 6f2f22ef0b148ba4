import { createRequire as __rhgCreateRequire } from 'node:module'; const require = __rhgCreateRequire(import.meta.url);
var r=e=>e.sample===null&&e.evaluations.length===0&&!e.thresholds?.length;export{r as a};
