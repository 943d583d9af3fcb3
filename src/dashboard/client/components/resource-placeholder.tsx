/**
 * What a detail page shows in place of its resource until the resource has loaded: the load's
 * error with a retry, and a loading line while the request runs.
 */
import type { Loaded } from '../hooks.ts';
import { ErrorBanner, Loading } from './feedback.tsx';

export function ResourcePlaceholder(props: { resource: Pick<Loaded<unknown>, 'error' | 'loading' | 'reload'>; what: string }) {
  const { resource } = props;
  return (
    <div>
      <ErrorBanner error={resource.error} onRetry={resource.reload} />
      {resource.loading ? <Loading what={props.what} /> : null}
    </div>
  );
}
