export function App() {
  return (
    <main>
      <h1>ProxyThinker Web</h1>
    </main>
  );
}
