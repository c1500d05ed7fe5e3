// Builds the WebUI into the folder the server serves (see server/api/webui_routes.cpp).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: process.env.TESSERA_WEBUI_OUT || 'dist', emptyOutDir: true },
});
